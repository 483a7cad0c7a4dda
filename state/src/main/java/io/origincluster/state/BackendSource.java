package io.origincluster.state;

/** Who registered a backend; the operator only garbage-collects what it registered itself. */
public enum BackendSource {
    KUBERNETES, REGISTER, DEFAULT
}
