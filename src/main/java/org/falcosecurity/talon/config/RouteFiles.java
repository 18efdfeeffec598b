package org.falcosecurity.talon.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The YAML DSL route files Talon loads: the packaged {@code routes/*.camel.yaml}, plus the files of the routes
 * directory on disk; a file on disk named like a packaged one replaces it.
 */
public final class RouteFiles {

    public static final String PACKAGED_DIR = "routes/";
    public static final String SUFFIX = ".camel.yaml";

    private static final ObjectMapper YAML = new YAMLMapper();

    /** File name → location ({@code classpath:routes/x.camel.yaml} or {@code file:/abs/x.camel.yaml}). */
    private final Map<String, String> locations;

    private RouteFiles(Map<String, String> locations) {
        this.locations = locations;
    }

    public static RouteFiles resolve(Path routesDirectory) throws IOException {
        Map<String, String> locations = new TreeMap<>();
        for (String name : packagedNames()) {
            locations.put(name, "classpath:" + PACKAGED_DIR + name);
        }
        if (routesDirectory != null && Files.isDirectory(routesDirectory)) {
            try (Stream<Path> s = Files.list(routesDirectory)) {
                for (Path p : s.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                    locations.put(p.getFileName().toString(), "file:" + p.toAbsolutePath());
                }
            }
        }
        return new RouteFiles(locations);
    }

    /** The locations, for {@code camel.main.routes-include-pattern}. */
    public String includePattern() {
        return String.join(",", locations.values());
    }

    public Map<String, String> locations() {
        return locations;
    }

    /**
     * The endpoint URIs the routes consume from ({@code from.uri}), read without starting Camel; used by
     * {@code check} and {@code simulate} to know which actionners and notifiers exist.
     */
    public List<String> fromUris() throws IOException {
        List<String> uris = new ArrayList<>();
        Map<String, String> templates = new LinkedHashMap<>();
        Map<String, Map<String, String>> defaults = new LinkedHashMap<>();
        List<JsonNode> templated = new ArrayList<>();
        for (String loc : locations.values()) {
            JsonNode root = YAML.readTree(read(loc));
            if (root == null || !root.isArray()) {
                continue;
            }
            for (JsonNode item : root) {
                JsonNode from = item.path("route").path("from");
                if (from.isMissingNode()) {
                    from = item.path("from");
                }
                JsonNode uri = from.path("uri");
                if (uri.isTextual()) {
                    uris.add(uri.textValue());
                }
                JsonNode template = item.path("routeTemplate");
                JsonNode templateUri = template.path("route").path("from").path("uri");
                if (template.path("id").isTextual() && templateUri.isTextual()) {
                    templates.put(template.path("id").textValue(), templateUri.textValue());
                    Map<String, String> d = new LinkedHashMap<>();
                    for (JsonNode p : template.path("parameters")) {
                        if (p.path("defaultValue").isValueNode()) {
                            d.put(p.path("name").asText(), p.path("defaultValue").asText());
                        }
                    }
                    defaults.put(template.path("id").textValue(), d);
                }
                if (item.has("templatedRoute")) {
                    templated.add(item.get("templatedRoute"));
                }
            }
        }
        // a templated route consumes its template's from.uri, with the route's parameters (else the template's
        // defaults) filled in
        for (JsonNode t : templated) {
            String uri = templates.get(t.path("routeTemplateRef").asText());
            if (uri == null) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>(defaults.get(t.path("routeTemplateRef").asText()));
            for (JsonNode p : t.path("parameters")) {
                params.put(p.path("name").asText(), p.path("value").asText());
            }
            uris.add(fillIn(uri, params));
        }
        return uris;
    }

    /** {@code {{name}}} placeholders of a route template's URI replaced by the route's parameter values. */
    public static String fillIn(String uri, Map<String, ?> parameters) {
        String out = uri;
        for (Map.Entry<String, ?> e : parameters.entrySet()) {
            out = out.replace("{{" + e.getKey() + "}}", String.valueOf(e.getValue()));
        }
        return out;
    }

    private static String read(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            try (InputStream in = RouteFiles.class.getClassLoader()
                    .getResourceAsStream(location.substring("classpath:".length()))) {
                if (in == null) {
                    throw new IOException(location + " not found");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return Files.readString(Path.of(location.substring("file:".length())), StandardCharsets.UTF_8);
    }

    /** Names of the packaged route files, from a directory (tests, IDE) or from the jar. */
    static List<String> packagedNames() throws IOException {
        List<String> names = new ArrayList<>();
        Enumeration<URL> urls = RouteFiles.class.getClassLoader().getResources(PACKAGED_DIR);
        while (urls.hasMoreElements()) {
            URL url = urls.nextElement();
            if ("file".equals(url.getProtocol())) {
                try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
                    s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX)).forEach(names::add);
                } catch (URISyntaxException e) {
                    throw new IOException(e);
                }
            } else if ("jar".equals(url.getProtocol())) {
                JarURLConnection c = (JarURLConnection) url.openConnection();
                c.setUseCaches(false);
                try (JarFile jar = c.getJarFile()) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(PACKAGED_DIR) && n.endsWith(SUFFIX) && n.indexOf('/', PACKAGED_DIR.length()) < 0) {
                            names.add(n.substring(PACKAGED_DIR.length()));
                        }
                    }
                }
            }
        }
        return names.stream().distinct().sorted().toList();
    }
}
