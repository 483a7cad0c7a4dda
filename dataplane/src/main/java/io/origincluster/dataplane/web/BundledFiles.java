package io.origincluster.dataplane.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Web pages shipped inside the jar (the player pages, the console): every file under one classpath folder is read
 * into memory once, when the listener is built, so serving one is a map lookup on the event loop, never a jar read.
 * Only the files found at start can be served, so a request path can never reach anything else.
 */
public final class BundledFiles {

    /** One file: its bytes and the content type its extension implies. */
    public record File(byte[] bytes, String contentType) { }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "json", "application/json", "txt", "text/plain; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon");

    private final Map<String, File> files;

    private BundledFiles(Map<String, File> files) {
        this.files = Map.copyOf(files);
    }

    /** Every file under classpath folder {@code folder} (e.g. {@code web/players}), keyed by its path inside it. */
    public static BundledFiles load(String folder) {
        ClassLoader loader = BundledFiles.class.getClassLoader();
        Map<String, File> found = new HashMap<>();
        try {
            Enumeration<URL> roots = loader.getResources(folder);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                if (root.getProtocol().equals("jar")) {
                    readJar(root, folder, found);
                } else if (root.getProtocol().equals("file")) {
                    readFolder(Path.of(root.toURI()), found);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled web files under " + folder, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no bundled web files under " + folder + " on the classpath");
        }
        return new BundledFiles(found);
    }

    /**
     * The file at {@code path} (relative, e.g. {@code whip.html}; empty or ending in '/' means its
     * {@code index.html}), or null.
     */
    public File get(String path) {
        if (path.isEmpty() || path.endsWith("/")) {
            path = path + "index.html";
        }
        return files.get(path);
    }

    /** True when {@code path} names a folder holding an index.html, asked for without its trailing slash. */
    public boolean isFolder(String path) {
        return !path.isEmpty() && !path.endsWith("/") && files.containsKey(path + "/index.html");
    }

    public int size() {
        return files.size();
    }

    private static void readJar(URL root, String folder, Map<String, File> found) throws IOException {
        JarURLConnection c = (JarURLConnection) root.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
            String prefix = folder.endsWith("/") ? folder : folder + "/";
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (!e.isDirectory() && e.getName().startsWith(prefix)) {
                    try (InputStream in = jar.getInputStream(e)) {
                        put(found, e.getName().substring(prefix.length()), in.readAllBytes());
                    }
                }
            }
        }
    }

    private static void readFolder(Path dir, Map<String, File> found) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                put(found, dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
    }

    private static void put(Map<String, File> found, String name, byte[] bytes) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        found.putIfAbsent(name, new File(bytes, TYPES.getOrDefault(ext, "application/octet-stream")));
    }
}
