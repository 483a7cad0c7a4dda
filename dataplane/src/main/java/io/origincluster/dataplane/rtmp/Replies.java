package io.origincluster.dataplane.rtmp;

import io.netty.buffer.ByteBufAllocator;
import io.origincluster.dataplane.rtmp.codec.Amf0;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import java.util.LinkedHashMap;
import java.util.Map;

/** The command messages the proxy sends as an RTMP server (to clients) and as an RTMP client (to origins). */
final class Replies {

    static final int COMMAND_CSID = 3;
    static final int STREAM_CSID = 5;

    private Replies() {
    }

    static RtmpMessage connectResult(ByteBufAllocator alloc, double tid, Object objectEncoding) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("fmsVer", "FMS/3,5,3,888");
        props.put("capabilities", 127.0);
        props.put("mode", 1.0);
        Map<String, Object> info = status("status", "NetConnection.Connect.Success", "Connection succeeded.");
        info.put("objectEncoding", objectEncoding instanceof Double d ? d : 0.0);
        return RtmpCommand.of("_result", tid, props, info).toMessage(alloc, COMMAND_CSID, 0);
    }

    static RtmpMessage connectRejected(ByteBufAllocator alloc, double tid, String description) {
        return RtmpCommand.of("_error", tid, null, status("error", "NetConnection.Connect.Rejected", description))
                .toMessage(alloc, COMMAND_CSID, 0);
    }

    static RtmpMessage result(ByteBufAllocator alloc, double tid, Object value, int streamId) {
        return RtmpCommand.of("_result", tid, null, value).toMessage(alloc, COMMAND_CSID, streamId);
    }

    static RtmpMessage onStatus(ByteBufAllocator alloc, int streamId, String level, String code, String description) {
        return RtmpCommand.of("onStatus", 0, null, status(level, code, description))
                .toMessage(alloc, STREAM_CSID, streamId);
    }

    static Map<String, Object> status(String level, String code, String description) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("level", level);
        info.put("code", code);
        info.put("description", description);
        return info;
    }

    static RtmpMessage call(ByteBufAllocator alloc, String name, double tid, int streamId, Object... args) {
        return RtmpCommand.of(name, tid, null, args).toMessage(alloc, streamId == 0 ? COMMAND_CSID : STREAM_CSID,
                streamId);
    }

    static Object undefined() {
        return Amf0.UNDEFINED;
    }
}
