package io.origincluster.dataplane.config;

/** A setting is invalid; the message always starts with the variable's name. */
public class ConfigException extends RuntimeException {
    public ConfigException(String variable, String problem) {
        super(variable + ": " + problem);
    }
}
