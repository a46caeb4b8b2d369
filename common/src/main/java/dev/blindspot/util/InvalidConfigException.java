package dev.blindspot.util;

/** A config value that is present but wrong; the message names the key and what is allowed. */
public class InvalidConfigException extends IllegalArgumentException {
    private final String key;

    public InvalidConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
