package io.origincluster.dataplane.webrtc;

import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import io.origincluster.testkit.RedisServer;

/**
 * The state two replicas share in the WebRTC tests: one real redis-server and one RedisStateStore client per
 * replica, exactly as two proxy processes would see it.
 */
final class SharedStores {

    private static RedisServer redis;

    private SharedStores() {
    }

    static StateStore create() {
        redis = RedisServer.start();
        return connect();
    }

    /** Another replica's own connection to the same Redis. */
    static StateStore second() {
        return connect();
    }

    private static StateStore connect() {
        return RedisStateStore.connect(redis.uri(), "webrtc-test", new LeastPinnedPolicy());
    }

    static void closeAll() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }
}
