package org.osms.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** A small HTTP client for the tests: real requests to a running OSMS, JSON answers parsed with JSON-P. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String base;

    public Http(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static volatile boolean applicationStarted;

    /**
     * The base URL of the application under test, outside the container (failsafe sets osms.it.url). The first call
     * waits until the application answers: the server reports itself started before the application is, and on a
     * loaded machine the application takes minutes more.
     */
    public static Http fromSystemProperty() {
        String url = System.getProperty("osms.it.url");
        if (url == null) {
            throw new IllegalStateException("osms.it.url is not set: run the integration tests with mvn verify");
        }
        Http http = new Http(url);
        if (!applicationStarted) {
            http.awaitApplication(Duration.ofMinutes(10));
            applicationStarted = true;
        }
        return http;
    }

    /** Waits until the application's own {@code /pk} answers 200 (readiness is on the admin endpoint only). */
    public void awaitApplication(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/pk").status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // connection refused while the server starts
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(base + " did not start within " + limit);
    }

    public String base() {
        return base;
    }

    public record Answer(int status, String contentType, String body, java.util.Map<String, List<String>> headers) {
        public Answer(int status, String contentType, String body) {
            this(status, contentType, body, java.util.Map.of());
        }

        public String header(String name) {
            return headers(name).stream().findFirst().orElse(null);
        }

        /** Every value of the header, in the order the answer gave them. */
        public List<String> headers(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).toList();
        }

        public JsonObject json() {
            try (JsonReader r = Json.createReader(new StringReader(body))) {
                return r.readObject();
            }
        }

        public String error() {
            return json().getString("error");
        }
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json").GET());
    }

    public Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                    r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the application answers {@code GET /pk}: a test server's HTTP port opens before the application has
     * finished starting on a busy machine. (Not /health/ready: asked during start, Liberty logs a warning.)
     */
    public Http awaitReady() {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/pk"))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(base + " did not become ready within 5 minutes");
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }
}
