package io.origincluster.dataplane.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.dataplane.Dataplane;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who may register which addresses, read the system API, and mint stream tokens. */
class SystemApiAccessTest {

    private Dataplane dataplane;

    private ApiClient start(String... kv) throws Exception {
        dataplane = new Dataplane(SystemApiTest.config(kv)).start();
        return new ApiClient(dataplane.port("system-api"));
    }

    @AfterEach
    void stop() {
        if (dataplane != null) {
            dataplane.close();
        }
    }

    private static String body(String ip, String rtmp) {
        String server = "s" + Math.abs((ip + rtmp).hashCode());
        return "{\"ip\":\"" + ip + "\",\"server\":\"" + server + "\",\"service\":\"v\",\"pid\":\"1\","
                + "\"rtmp\":[\"" + rtmp + "\"],"
                + "\"srt\":[\"udp://0.0.0.0:10080\"]}";
    }

    @Test
    void registeredAddressesMustBeInsideTheAllowedRangesPrivateByDefault() throws Exception {
        ApiClient api = start();
        assertThat(api.register(body("10.1.2.3", "1935")).statusCode()).isEqualTo(200);
        assertThat(api.register(body("192.168.7.1", "1935")).statusCode()).isEqualTo(200);
        assertThat(api.register(body("fd00::5", "1935")).statusCode()).isEqualTo(200);
        HttpResponse<String> publicIp = api.register(body("203.0.113.10", "1935"));
        assertThat(publicIp.statusCode()).isEqualTo(403);
        assertThat(ApiClient.json(publicIp).path("error").asText()).contains("203.0.113.10")
                .contains("PROXY_REGISTER_ALLOWED_CIDRS");
        HttpResponse<String> publicEndpoint = api.register(body("10.1.2.3", "198.51.100.7:1935"));
        assertThat(publicEndpoint.statusCode()).as("an endpoint naming its own host").isEqualTo(403);
        assertThat(api.register(body("origin.example.com", "1935")).statusCode()).as("a name cannot be checked")
                .isEqualTo(403);
        assertThat(api.register(body("::ffff:8.8.8.8", "1935")).statusCode()).isEqualTo(403);
        assertThat(api.origins()).hasSize(3);
    }

    @Test
    void theAllowedRangesAreASetting() throws Exception {
        ApiClient api = start("PROXY_REGISTER_ALLOWED_CIDRS", "203.0.113.0/24");
        assertThat(api.register(body("203.0.113.10", "1935")).statusCode()).isEqualTo(200);
        assertThat(api.register(body("127.0.0.1", "1935")).statusCode()).isEqualTo(403);
        dataplane.close();
        api = start("PROXY_REGISTER_ALLOWED_CIDRS", "0.0.0.0/0,::/0");
        assertThat(api.register(body("origin.example.com", "1935")).statusCode()).isEqualTo(200);
    }

    @Test
    void aReadTokenProtectsEveryReadButTheProbes() throws Exception {
        ApiClient api = start("PROXY_SYSTEM_API_TOKEN", "write-token", "PROXY_SYSTEM_API_READ_TOKEN", "read-token");
        for (String path : new String[] {"/api/v1/origins", "/api/v1/streams", "/metrics", "/api/v1/cluster/streams"}) {
            HttpResponse<String> r = api.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).isPresent();
            assertThat(api.withToken("wrong").get(path).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(api.withToken("read-token").get("/api/v1/origins").statusCode()).isEqualTo(200);
        assertThat(api.withToken("write-token").get("/api/v1/streams").statusCode()).isEqualTo(200);
        assertThat(api.withToken("read-token").get("/metrics").statusCode()).isEqualTo(200);
        assertThat(api.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(api.get("/readyz").statusCode()).isEqualTo(200);
        assertThat(api.get("/api/v1/versions").statusCode()).isEqualTo(200);
        // the read token does not change anything
        assertThat(api.withToken("read-token").register(body("10.0.0.1", "1935")).statusCode()).isEqualTo(401);
        assertThat(api.withToken("write-token").register(body("10.0.0.1", "1935")).statusCode()).isEqualTo(200);
    }

    @Test
    void tokensAreMintedOnlyWhenTheApiIsProtected() throws Exception {
        ApiClient api = start("PROXY_AUTH_SECRET", "a-secret-of-sixteen-plus");
        String req = "{\"stream\":\"live/cam1\",\"action\":\"play\"}";
        HttpResponse<String> open = api.send("POST", "/api/v1/tokens", req);
        assertThat(open.statusCode()).isEqualTo(403);
        assertThat(open.body()).contains("PROXY_SYSTEM_API_TOKEN");
        dataplane.close();
        api = start("PROXY_SYSTEM_API_TOKEN", "write-token");
        assertThat(api.withToken("write-token").send("POST", "/api/v1/tokens", req).statusCode())
                .as("no secret to sign with").isEqualTo(409);
        assertThat(api.withToken("write-token").get("/api/v1/tokens").statusCode()).isEqualTo(405);
    }
}
