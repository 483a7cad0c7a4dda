package io.origincluster.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A pool of media origins behind the data-plane proxies, sharing one Redis state store. */
@Group("origincluster.io")
@Version("v1alpha1")
@ShortNames("oc")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.origins.ready", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.origins.replicas",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Registered", jsonPath = ".status.origins.registered",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Proxies", jsonPath = ".status.proxies.ready",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Streams", jsonPath = ".status.streams", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
// no initStatus(): a status the server never wrote must stay absent, or status patches diff against phantom fields
public class OriginCluster extends CustomResource<OriginClusterSpec, OriginClusterStatus> implements Namespaced {

    @Override
    protected OriginClusterSpec initSpec() {
        return new OriginClusterSpec();
    }
}
