package io.origincluster.state;

import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import reactor.core.Disposable;

/**
 * Opens the cluster client's connection to every master ahead of the first command. With
 * {@code REJECT_COMMANDS} (fail fast while Redis is away) Lettuce rejects a command whose node connection is still
 * being opened, so without this the first command to each master (at start, and after a failover promoted a
 * replica) would fail for no reason.
 */
final class RedisClusterWarmup {

    private RedisClusterWarmup() {
    }

    /** Completes when a connection to every master of the current topology is open (or has failed). */
    static CompletableFuture<Void> connectMasters(StatefulRedisClusterConnection<String, String> connection) {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (RedisClusterNode node : connection.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.is(RedisClusterNode.NodeFlag.FAIL)) {
                // a failed attempt only means that master is down; its commands fail until the topology changes
                // by host and port: the key under which commands routed by slot look their connection up
                pending.add(connection.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                        .handle((c, e) -> null));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
    }

    /** Re-runs {@link #connectMasters} on every topology change until the returned handle is closed. */
    static AutoCloseable keepWarm(ClientResources resources,
                                  StatefulRedisClusterConnection<String, String> connection) {
        Disposable subscription = resources.eventBus().get()
                .filter(ClusterTopologyChangedEvent.class::isInstance)
                .subscribe(e -> connectMasters(connection));
        return subscription::dispose;
    }
}
