package io.origincluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ToolsTest {

    @Test
    void findsACommandOnThePath() {
        assertThat(Tools.which("sh")).isNotNull().endsWith("/sh");
        Tools.require("sh");
    }

    @Test
    void aMissingToolFailsWithTheInstallHintNeverASkip() {
        assertThat(Tools.which("no-such-peer-0x1")).isNull();
        // an AssertionError, not JUnit's assumption failure: the test fails instead of being skipped
        assertThatThrownBy(() -> Tools.require("sh", "no-such-peer-0x1")).isExactlyInstanceOf(AssertionError.class)
                .hasMessageContaining("'no-such-peer-0x1'").hasMessageContaining("scripts/install-test-deps.sh");
    }

    @Test
    void aMissingFileFailsNamingIt() {
        assertThatThrownBy(() -> Tools.requireFile(Path.of("/nonexistent/module.so"), "some module"))
                .isExactlyInstanceOf(AssertionError.class).hasMessageContaining("some module")
                .hasMessageContaining("/nonexistent/module.so").hasMessageContaining("scripts/install-test-deps.sh");
    }
}
