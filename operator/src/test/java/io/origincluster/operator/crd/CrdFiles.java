package io.origincluster.operator.crd;

import java.nio.file.Path;

/** Where the build writes the CRD and where the committed copy lives (tests run in the module directory). */
final class CrdFiles {
    static final String FILE = "originclusters.origincluster.io-v1.yml";
    static final Path GENERATED = Path.of("target", "classes", "META-INF", "fabric8", FILE);
    static final Path COMMITTED = Path.of("..", "crds", FILE);

    private CrdFiles() {
    }
}
