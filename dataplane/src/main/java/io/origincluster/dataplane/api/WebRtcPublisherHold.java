package io.origincluster.dataplane.api;

import io.netty.channel.EventLoop;
import io.origincluster.dataplane.auth.Admitted;
import io.origincluster.state.SessionKind;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a WebRTC publisher's lease for as long as its session lives. No connection of this proxy carries the
 * session (its media may even go through another replica), but the relay keeps the session record in the state
 * store alive: once the record is gone (a DELETE, or idle past its TTL) the lease is released. A store that does
 * not answer keeps the lease, since the media may still flow; the lease's own renewal covers that case.
 */
final class WebRtcPublisherHold {

    private static final Logger log = LoggerFactory.getLogger(WebRtcPublisherHold.class);

    private final Admitted lease;
    private final StateStore store;
    private final String username;
    private final EventLoop loop;
    private final long everyNanos;
    private boolean released;

    private WebRtcPublisherHold(Admitted lease, StateStore store, String username, EventLoop loop, Duration every) {
        this.lease = lease;
        this.store = store;
        this.username = username;
        this.loop = loop;
        this.everyNanos = every.toNanos();
    }

    /** Watches the session {@code username}; {@code sessionTtl} is how long its record lives untouched. */
    static void start(Admitted lease, StateStore store, String username, EventLoop loop, Duration sessionTtl) {
        if (lease == Admitted.NOTHING_HELD) {
            return;
        }
        long third = Math.max(sessionTtl.toMillis() / 3, 200);
        WebRtcPublisherHold hold = new WebRtcPublisherHold(lease, store, username, loop,
                Duration.ofMillis(Math.min(third, 5_000)));
        lease.onLost(() -> loop.execute(() -> hold.release("another publisher took the stream over")));
        hold.schedule();
    }

    private void schedule() {
        if (!released && !loop.isShuttingDown()) {
            loop.schedule(this::check, everyNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        if (released) {
            return;
        }
        store.session(SessionKind.WEBRTC, username).whenComplete((found, err) -> loop.execute(() -> {
            if (err == null && found.isEmpty()) {
                release("the WebRTC session ended");
            } else {
                schedule();
            }
        }));
    }

    private void release(String why) {
        if (released) {
            return;
        }
        released = true;
        lease.release();
        log.atDebug().addKeyValue("username", username).log("publisher lease released: {}", why);
    }
}
