package io.origincluster.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonDiff;
import org.junit.jupiter.api.Test;

class MergeOverlayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode json(String s) throws Exception {
        return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void listsAreReplacedAndKeysWeDoNotSetAreKept() throws Exception {
        ObjectNode current = json("{'kind':'Deployment','metadata':{'name':'d','resourceVersion':'7',"
                + "'labels':{'a':'1','theirs':'x'}},'spec':{'replicas':2,'progressDeadlineSeconds':600,"
                + "'template':{'spec':{'containers':[{'name':'c','image':'old','terminationMessagePath':'/t'},"
                + "{'name':'sidecar'}]}}},'status':{'readyReplicas':2}}");
        ObjectNode desired = json("{'kind':'Deployment','metadata':{'name':'d','labels':{'a':'2'}},"
                + "'spec':{'replicas':4,'template':{'spec':{'containers':[{'name':'c','image':'new'}]}}}}");
        ObjectNode next = MergeOverlay.overlay(current, desired);
        assertThat(next.at("/spec/replicas").asInt()).isEqualTo(4);
        assertThat(next.at("/spec/progressDeadlineSeconds").asInt()).isEqualTo(600);
        assertThat(next.at("/spec/template/spec/containers")).hasSize(1);
        assertThat(next.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("new");
        assertThat(next.at("/metadata/labels/a").asText()).isEqualTo("2");
        assertThat(next.at("/metadata/labels/theirs").asText()).isEqualTo("x");
        assertThat(next.at("/status/readyReplicas").asInt()).isEqualTo(2);
        assertThat(next.at("/metadata/resourceVersion").asText()).isEqualTo("7");
        JsonNode patch = JsonDiff.asJson(current, next);
        assertThat(patch.toString()).doesNotContain("resourceVersion").doesNotContain("status");
    }

    @Test
    void serviceKeepsAllocatedClusterIpAndNodePorts() throws Exception {
        ObjectNode current = json("{'kind':'Service','metadata':{'name':'s'},'spec':{'type':'NodePort',"
                + "'clusterIP':'10.0.0.9','ports':[{'name':'rtmp','port':1935,'nodePort':31935},"
                + "{'name':'http','port':8080,'nodePort':30080}]}}");
        ObjectNode desired = json("{'kind':'Service','metadata':{'name':'s'},'spec':{'type':'NodePort',"
                + "'ports':[{'name':'rtmp','port':1936},{'name':'srt','port':10080,'protocol':'UDP'}]}}");
        ObjectNode next = MergeOverlay.overlay(current, desired);
        assertThat(next.at("/spec/clusterIP").asText()).isEqualTo("10.0.0.9");
        assertThat(next.at("/spec/ports")).hasSize(2);
        assertThat(next.at("/spec/ports/0/port").asInt()).isEqualTo(1936);
        assertThat(next.at("/spec/ports/0/nodePort").asInt()).isEqualTo(31935);
        assertThat(next.at("/spec/ports/1/nodePort").isMissingNode()).isTrue();
    }

    @Test
    void ownerReferencesAreOurs() throws Exception {
        ObjectNode current = json("{'kind':'ConfigMap','metadata':{'name':'c','ownerReferences':[{'uid':'old'}]}}");
        ObjectNode desired = json("{'kind':'ConfigMap','metadata':{'name':'c','ownerReferences':[{'uid':'new'}]}}");
        assertThat(MergeOverlay.overlay(current, desired).at("/metadata/ownerReferences/0/uid").asText())
                .isEqualTo("new");
    }
}
