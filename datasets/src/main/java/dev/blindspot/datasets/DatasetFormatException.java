package dev.blindspot.datasets;

/** Input data that is not what its format says: the message names the file (or directory) and the problem. */
public class DatasetFormatException extends IllegalArgumentException {
    private final String file;

    public DatasetFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public String file() {
        return file;
    }
}
