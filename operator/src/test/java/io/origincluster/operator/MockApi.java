package io.origincluster.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/** What the fabric8 CRUD mock API server needs before a whole operator can run against it. */
final class MockApi {
    private MockApi() {
    }

    /** The committed CRD, as {@code kubectl apply -f crds/} would create it. */
    static void applyCrd(KubernetesClient client) throws IOException {
        try (InputStream in = new FileInputStream("../crds/originclusters.origincluster.io-v1.yml")) {
            client.apiextensions().v1().customResourceDefinitions()
                    .resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
                    .create();
        }
    }

    /**
     * JOSDK asks the API server (SelfSubjectRulesReview) whether it may use Leases before electing a leader; the
     * CRUD mock cannot answer that, so this one request is scripted. The Lease itself is stored by the mock.
     */
    static void allowLeaseAccess(KubernetesMockServer server) {
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
                        .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("*")
                        .endResourceRule().withIncomplete(false).endStatus().build())
                .always();
    }
}
