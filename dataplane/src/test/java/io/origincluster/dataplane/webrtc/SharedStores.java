package io.origincluster.dataplane.webrtc;

import io.origincluster.state.LeastPinnedPolicy;
import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.StateStore;

/**
 * The state two replicas share in the WebRTC tests. RedisStateStore is not on this branch yet, so both replicas
 * use one in-memory store (every call goes through the async StateStore interface either way).
 */
final class SharedStores {

    private static StateStore shared;

    private SharedStores() {
    }

    static StateStore create() {
        shared = new MemoryStateStore(new LeastPinnedPolicy());
        return shared;
    }

    /** The second replica's view of the same state. */
    static StateStore second(StateStore first) {
        return first;
    }

    static void closeAll() {
        if (shared != null) {
            shared.close();
        }
    }
}
