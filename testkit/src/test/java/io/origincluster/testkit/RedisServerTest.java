package io.origincluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerTest {

    @TempDir
    Path dir;

    @Test
    void aFreshServerAnswersAndCountsItsCommands() {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port() + "/0");
            assertThat(redis.command("SET", "k", "v w")).isEqualTo("OK");
            assertThat(redis.command("GET", "k")).isEqualTo("v w");
            assertThat(redis.command("INCR", "n")).isEqualTo("1");
            assertThat(redis.info("server")).contains("tcp_port:" + redis.port());
            assertThat(redis.commandCalls()).containsEntry("set", 1L).containsEntry("get", 1L);
            assertThatThrownBy(() -> redis.command("NOSUCHCOMMAND")).hasRootCauseMessage(
                    "redis error: ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ");
        }
    }

    @Test
    void restartsEmptyOnTheSamePortAfterAnAbruptStop() {
        int port;
        try (RedisServer first = RedisServer.start()) {
            port = first.port();
            first.command("SET", "k", "v");
            first.kill();
            assertThat(first.isAlive()).isFalse();
        }
        try (RedisServer second = RedisServer.start(port)) {
            assertThat(second.port()).isEqualTo(port);
            assertThat(second.info("keyspace")).doesNotContain("db0");
        }
    }

    @Test
    void aReplicaCatchesUp() {
        try (RedisServer master = RedisServer.start(); RedisServer replica = RedisServer.startReplicaOf(master)) {
            master.command("SET", "k", "v");
            master.awaitReplicated(1);
            assertThat(replica.command("GET", "k")).isEqualTo("v");
            assertThat(replica.info("replication")).contains("role:slave");
        }
    }

    @Test
    void theBenchsServerLogsInTheRunFolder() throws Exception {
        try (RedisServer redis = RedisServer.start(dir)) {
            assertThat(redis.log()).isEqualTo(dir.resolve("logs/redis-server.log"));
            assertThat(redis.command("PING")).isEqualTo("PONG");
            assertThat(java.nio.file.Files.readString(redis.log())).contains("Ready to accept connections");
        }
    }

    @Test
    void parsesCommandStats() {
        String info = "# Commandstats\r\ncmdstat_get:calls=12,usec=30,usec_per_call=2.50\r\n"
                + "cmdstat_evalsha:calls=3,usec=9\r\n";
        assertThat(RedisServer.parseCommandStats(info)).isEqualTo(Map.of("get", 12L, "evalsha", 3L));
    }

    @Test
    void encodesAndReadsResp() throws IOException {
        assertThat(new String(RedisServer.encode("SET", "k", "é"), StandardCharsets.UTF_8))
                .isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n");
        assertThat(RedisServer.readReply(in("$5\r\nhello\r\n"))).isEqualTo("hello");
        assertThat(RedisServer.readReply(in("+OK\r\n"))).isEqualTo("OK");
        assertThat(RedisServer.readReply(in(":7\r\n"))).isEqualTo("7");
        assertThatThrownBy(() -> RedisServer.readReply(in("$-1\r\n"))).hasMessage("redis nil reply");
        assertThatThrownBy(() -> RedisServer.readReply(in("$5\r\nhel"))).hasMessage("redis closed mid-reply");
    }

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
