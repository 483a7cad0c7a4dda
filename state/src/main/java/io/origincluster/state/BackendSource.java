package io.origincluster.state;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * Who registered a backend; the operator only garbage-collects what it registered itself. A source this build does
 * not know (written by a newer proxy) reads as {@link #REGISTER}, which nothing garbage-collects.
 */
public enum BackendSource {
    KUBERNETES, @JsonEnumDefaultValue REGISTER, DEFAULT
}
