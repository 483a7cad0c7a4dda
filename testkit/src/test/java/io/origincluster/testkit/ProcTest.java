package io.origincluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcTest {

    @TempDir
    Path dir;

    @Test
    void returnsTheExitCodeAndKeepsTheOutputInATestLog() {
        try (Proc p = Proc.start("exits", List.of("sh", "-c", "echo to-out; echo to-err >&2; exit 3"))) {
            assertThat(p.waitFor(10)).isEqualTo(3);
            assertThat(p.output()).contains("to-out").contains("to-err");
            assertThat(p.log().toString()).startsWith(Path.of("target", "peer-logs", "exits-").toString());
        }
    }

    @Test
    void aNamedLogFolderGetsNameDotLogAndTheEnvironmentAndWorkDirReachTheChild() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        try (Proc p = Proc.start("child", List.of("sh", "-c", "echo \"$KIT_VALUE\"; pwd"), Map.of("KIT_VALUE", "v42"),
                work, dir.resolve("logs"))) {
            assertThat(p.waitFor(10)).isZero();
            assertThat(p.log()).isEqualTo(dir.resolve("logs").resolve("child.log"));
            assertThat(Files.readString(p.log())).contains("v42").contains(work.toRealPath().toString());
        }
    }

    @Test
    void runStopsAProcessThatOverstaysAndReportsMinusOne() {
        long t0 = System.nanoTime();
        assertThat(Proc.run("sleeper", List.of("sleep", "60"), 1)).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void closeStopsTheChildrenToo() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        Proc p = Proc.start("parent", List.of("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(Files.exists(pidFile) && Files.readString(pidFile).endsWith("\n")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive)).contains(true);
        p.close();
        assertThat(p.isAlive()).isFalse();
        deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void killIsImmediateEvenForAProcessThatIgnoresSigterm() {
        // an ignored signal stays ignored across exec, so sleep ignores SIGTERM too
        Proc p = Proc.start("stubborn", List.of("sh", "-c", "trap '' TERM; sleep 60"));
        long t0 = System.nanoTime();
        p.kill();
        assertThat(p.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void closeFallsBackToSigkillWhenSigtermIsIgnored() throws Exception {
        Proc p = Proc.start("stubborn", List.of("sh", "-c", "trap '' TERM; echo ignoring; exec sleep 60"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!p.output().contains("ignoring") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long t0 = System.nanoTime();
        p.close();
        assertThat(p.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(15));
    }

    @Test
    void awaitTcpReturnsOnceTheChildListens() throws Exception {
        int port = Ports.freeTcp();
        // a child that listens late: the wait has to poll, not just check once
        try (Proc p = Proc.start("listener", List.of("python3", "-c", "import socket,time; time.sleep(0.5); "
                + "s=socket.socket(); s.bind(('127.0.0.1'," + port + ")); s.listen(); time.sleep(60)"))) {
            p.awaitTcp(port, 10);
            try (ServerSocket taken = new ServerSocket()) {
                assertThatThrownBy(() -> taken.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                        port))).isInstanceOf(java.io.IOException.class);
            }
        }
    }

    @Test
    void awaitTcpFailsAtOnceWhenTheChildExitsAndShowsItsOutput() {
        int port = Ports.freeTcp();
        Proc p = Proc.start("dies", List.of("sh", "-c", "echo cannot-bind-here; exit 1"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> p.awaitTcp(port, 30)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dies exited before listening on 127.0.0.1:" + port)
                .hasMessageContaining("cannot-bind-here");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
}
