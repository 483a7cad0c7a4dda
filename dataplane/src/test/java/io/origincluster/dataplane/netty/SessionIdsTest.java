package io.origincluster.dataplane.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdsTest {

    @Test
    void idsAreSevenLowercaseHexDigitsAndVary() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = SessionIds.next();
            assertThat(id).matches("[0-9a-f]{7}");
            seen.add(id);
        }
        assertThat(seen).hasSizeGreaterThan(9_900);
        // leading zeros are kept (one in 16 ids starts with 0)
        assertThat(seen).anyMatch(s -> s.startsWith("0"));
    }
}
