package io.origincluster.dataplane.rtsp.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An RTSP request or response: the start line, the headers in their order and spelling, and the body. Small
 * (the decoder bounds it) and mutable, so the relay can rewrite what names an origin before passing it on.
 */
public final class RtspMessage {

    public static final String VERSION = "RTSP/1.0";

    private final String method;
    private String uri;
    private final int status;
    private final String reason;
    private final List<String[]> headers = new ArrayList<>();
    private byte[] body = new byte[0];

    private RtspMessage(String method, String uri, int status, String reason) {
        this.method = method;
        this.uri = uri;
        this.status = status;
        this.reason = reason;
    }

    public static RtspMessage request(String method, String uri) {
        return new RtspMessage(method, uri, 0, null);
    }

    public static RtspMessage response(int status, String reason) {
        return new RtspMessage(null, null, status, reason);
    }

    /** A response to {@code request} carrying its CSeq (and Session, if it had one). */
    public static RtspMessage reply(RtspMessage request, int status, String reason) {
        RtspMessage r = response(status, reason);
        r.add("CSeq", request.header("CSeq") == null ? "0" : request.header("CSeq"));
        if (request.header("Session") != null) {
            r.add("Session", request.header("Session"));
        }
        return r;
    }

    public boolean isRequest() {
        return method != null;
    }

    public String method() {
        return method;
    }

    public String uri() {
        return uri;
    }

    public void uri(String value) {
        uri = value;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** The first header of that name (case-insensitive), or null. */
    public String header(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }

    public List<String[]> headers() {
        return headers;
    }

    public RtspMessage add(String name, String value) {
        headers.add(new String[] {name, value});
        return this;
    }

    /** Replaces the value of every header of that name. */
    public void set(String name, String value) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                h[1] = value;
            }
        }
    }

    public byte[] body() {
        return body;
    }

    /** Sets the body; the encoder writes Content-Length from it. */
    public RtspMessage body(byte[] value) {
        body = value == null ? new byte[0] : value;
        return this;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The start line and headers as they go on the wire (Content-Length from the body, not from the headers). */
    public String head() {
        StringBuilder sb = new StringBuilder(256);
        if (isRequest()) {
            sb.append(method).append(' ').append(uri).append(' ').append(VERSION);
        } else {
            sb.append(VERSION).append(' ').append(status).append(' ').append(reason);
        }
        sb.append("\r\n");
        for (String[] h : headers) {
            if (!h[0].equalsIgnoreCase("Content-Length")) {
                sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
        }
        if (body.length > 0) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @Override
    public String toString() {
        return isRequest() ? method + " " + uri : status + " " + reason + " (CSeq " + header("CSeq") + ")";
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
