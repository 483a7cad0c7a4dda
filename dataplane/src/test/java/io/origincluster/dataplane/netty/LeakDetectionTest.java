package io.origincluster.dataplane.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {

    @Test
    void offUnlessThePropertyAsks() {
        assertEquals(ResourceLeakDetector.Level.DISABLED, LeakDetection.processLevel(null));
        assertEquals(ResourceLeakDetector.Level.DISABLED, LeakDetection.processLevel(" "));
    }

    @Test
    void anExplicitLevelIsLeftToNetty() {
        assertNull(LeakDetection.processLevel("paranoid"));
        assertNull(LeakDetection.processLevel("simple"));
    }
}
