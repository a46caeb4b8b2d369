package dev.blindspot.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The git commit this build came from, read from the {@code git.properties} the build writes. */
final class CodeVersion {
    private CodeVersion() {
    }

    /** e.g. {@code 1a2b3c4} or {@code 1a2b3c4-dirty}; {@code unknown} outside a git build. */
    static String get() {
        Properties p = new Properties();
        try (InputStream in = CodeVersion.class.getResourceAsStream("/blindspot-git.properties")) {
            if (in == null) {
                return "unknown";
            }
            p.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        String id = p.getProperty("git.commit.id.abbrev", "unknown");
        return Boolean.parseBoolean(p.getProperty("git.dirty", "false")) ? id + "-dirty" : id;
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"blindspot " + get()};
        }
    }
}
