package io.origincluster.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parsers against the replies recorded from a real SRS 7.0.18, and against replies that are wrong. */
class SrsRepliesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String STREAMS = """
{
    "code": 0,
    "server": "vid-426h04p",
    "service": "h9i9iy02",
    "pid": "22280",
    "streams": [
        {
            "id": "vid-p022930",
            "name": "cap",
            "vhost": "vid-j5q959s",
            "app": "live",
            "tcUrl": "rtmp://127.0.0.1:31935/live",
            "url": "/live/cap",
            "live_ms": 1796189011704,
            "clients": 1,
            "frames": 0,
            "send_bytes": 789091,
            "recv_bytes": 952978,
            "kbps": {
                "recv_30s": 0,
                "send_30s": 0
            },
            "publish": {
                "active": true,
                "cid": "qla1y709"
            },
            "video": {
                "codec": "H264",
                "profile": "Baseline",
                "level": "3",
                "width": 640,
                "height": 360
            },
            "audio": {
                "codec": "AAC",
                "sample_rate": 44100,
                "channel": 2,
                "profile": "LC"
            }
        }
    ]
}""";

    static final String CLIENTS = """
{
    "code": 0,
    "server": "vid-426h04p",
    "service": "h9i9iy02",
    "pid": "22280",
    "clients": [
        {
            "id": "qla1y709",
            "vhost": "vid-j5q959s",
            "stream": "vid-p022930",
            "ip": "127.0.0.1",
            "pageUrl": "",
            "swfUrl": "",
            "tcUrl": "rtmp://127.0.0.1:31935/live",
            "url": "/live/cap",
            "name": "cap",
            "type": "fmle-publish",
            "publish": true,
            "alive": 12.74,
            "send_bytes": 4384,
            "recv_bytes": 1309056,
            "kbps": {
                "recv_30s": 0,
                "send_30s": 0
            }
        }
    ]
}""";

    static final String SUMMARIES = """
{
    "code": 0,
    "server": "vid-426h04p",
    "service": "h9i9iy02",
    "pid": "22280",
    "data": {
        "ok": true,
        "now_ms": 1796189011320,
        "self": {
            "version": "7.0.18",
            "pid": 22280,
            "ppid": 22269,
            "argv": "./objs/srs -c conf/origin.conf",
            "cwd": "/usr/local/srs",
            "mem_kbyte": 28224,
            "mem_percent": 0.0,
            "cpu_percent": 0.01,
            "srs_uptime": 14
        },
        "system": {
            "cpu_percent": 0.03,
            "disk_read_KBps": 0,
            "disk_write_KBps": 3,
            "disk_busy_percent": 0.0,
            "mem_ram_kbyte": 24683548,
            "mem_ram_percent": 0.01,
            "mem_swap_kbyte": 0,
            "mem_swap_percent": 0.0,
            "cpus": 2,
            "cpus_online": 2,
            "uptime": 2914.42,
            "ilde_time": 3190.18,
            "load_1m": 4.06,
            "load_5m": 2.86,
            "load_15m": 2.24,
            "net_sample_time": 1796189005841,
            "net_recv_bytes": 0,
            "net_send_bytes": 0,
            "net_recvi_bytes": 12721345966,
            "net_sendi_bytes": 12421399074,
            "srs_sample_time": 1796189008844,
            "srs_recv_bytes": 952978,
            "srs_send_bytes": 789091,
            "conn_sys": 201,
            "conn_sys_et": 8,
            "conn_sys_tw": 182,
            "conn_sys_udp": 5,
            "conn_srs": 2
        }
    }
}""";

    static final String VHOSTS = """
{
    "code": 0,
    "server": "vid-426h04p",
    "service": "h9i9iy02",
    "pid": "22280",
    "vhosts": [
        {
            "id": "vid-j5q959s",
            "name": "__defaultVhost__",
            "enabled": true,
            "clients": 1,
            "streams": 1,
            "send_bytes": 789091,
            "recv_bytes": 1309147,
            "kbps": {
                "recv_30s": 0,
                "send_30s": 0
            },
            "hls": {
                "enabled": true,
                "fragment": 2.0
            }
        }
    ]
}""";

    @Test
    void theRecordedRepliesAreRead() throws Exception {
        SrsReplies.Stream s = SrsReplies.streams(JSON.readTree(STREAMS), 0).get(0);
        assertThat(s.id()).isEqualTo("vid-p022930");
        assertThat(s.vhostId()).isEqualTo("vid-j5q959s");
        assertThat(s.app()).isEqualTo("live");
        assertThat(s.name()).isEqualTo("cap");
        assertThat(s.clients()).isEqualTo(1);
        assertThat(s.publishing()).isTrue();
        assertThat(s.recvBytes()).isEqualTo(952978);
        assertThat(s.video().codec()).isEqualTo("H264");
        assertThat(s.video().width()).isEqualTo(640);
        assertThat(s.audio().sampleRate()).isEqualTo(44100);
        SrsReplies.Client c = SrsReplies.clients(JSON.readTree(CLIENTS), 0).get(0);
        assertThat(c.id()).isEqualTo("qla1y709");
        assertThat(c.streamId()).isEqualTo("vid-p022930");
        assertThat(c.app()).isEqualTo("live");
        assertThat(c.publish()).isTrue();
        assertThat(c.type()).isEqualTo("fmle-publish");
        assertThat(c.aliveSeconds()).isEqualTo(12.74);
        SrsReplies.Summary sum = SrsReplies.summary(JSON.readTree(SUMMARIES));
        assertThat(sum.cpuPercent()).isEqualTo(0.01);
        assertThat(sum.memoryKbyte()).isEqualTo(28224);
        assertThat(sum.connections()).isEqualTo(2);
        assertThat(sum.version()).isEqualTo("7.0.18");
        assertThat(SrsReplies.vhosts(JSON.readTree(VHOSTS))).containsEntry("vid-j5q959s", "__defaultVhost__");
    }

    @Test
    void wrongShapesAreErrorsThatNameTheField() throws Exception {
        JsonNode badName = JSON.readTree(STREAMS.replace("\"name\": \"cap\"", "\"name\": 42"));
        assertThatThrownBy(() -> SrsReplies.streams(badName, 10)).isInstanceOf(BadOriginReply.class)
                .hasMessage("streams[10].name: expected a string, got number");
        JsonNode badKbps = JSON.readTree(STREAMS.replace("\"recv_30s\": 0", "\"recv_30s\": \"fast\""));
        assertThatThrownBy(() -> SrsReplies.streams(badKbps, 0))
                .hasMessage("streams[0].kbps.recv_30s: expected a number, got \"fast\"");
        assertThatThrownBy(() -> SrsReplies.streams(JSON.readTree("{\"code\":0,\"streams\":{}}"), 0))
                .hasMessage("streams: expected an array, got object");
        assertThatThrownBy(() -> SrsReplies.streams(JSON.readTree("[1,2]"), 0))
                .hasMessage("streams: expected a JSON object, got array");
        assertThatThrownBy(() -> SrsReplies.clients(JSON.readTree("{\"code\":1014}"), 0))
                .hasMessage("clients: origin answered code 1014");
        assertThatThrownBy(() -> SrsReplies.summary(JSON.readTree("{\"ok\":true}")))
                .hasMessage("summaries: no numeric 'code' (not an SRS API reply?)");
        assertThatThrownBy(() -> SrsReplies.streams(JSON.readTree("{\"code\":0,\"streams\":[7]}"), 0))
                .hasMessage("streams[0]: expected an object, got number");
        assertThatThrownBy(() -> SrsReplies.vhosts(JSON.readTree("{\"code\":0,\"vhosts\":[{\"id\":\"v\"}]}")))
                .hasMessage("vhosts[0].name: missing");
        // unknown fields and missing optional ones are fine
        List<SrsReplies.Stream> minimal = SrsReplies.streams(JSON.readTree(
                "{\"code\":0,\"extra\":[1],\"streams\":[{\"id\":\"a\",\"app\":\"live\",\"name\":\"x\"}]}"), 0);
        assertThat(minimal.get(0).publishing()).isFalse();
        assertThat(minimal.get(0).video()).isNull();
    }
}
