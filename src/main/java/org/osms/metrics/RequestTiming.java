package org.osms.metrics;

import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Times every request the application answers, by the path template of the endpoint that answered it (from the
 * resource's annotations, so never a part of the request itself); a request no endpoint matched counts as
 * {@value #UNMATCHED}; and counts every answer by that endpoint and its status. A long-polling fetch is timed until it
 * is answered.
 */
@Provider
public class RequestTiming implements ContainerRequestFilter, ContainerResponseFilter {
    static final String UNMATCHED = "unmatched";
    private static final String STARTED = RequestTiming.class.getName() + ".started";

    @Inject
    ServerMetrics metrics;

    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(STARTED, System.nanoTime());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String endpoint = endpoint();
        if (request.getProperty(STARTED) instanceof Long started) {
            metrics.request(endpoint, Duration.ofNanos(System.nanoTime() - started));
        }
        metrics.response(endpoint, response.getStatus());
    }

    /** Each resource method's template, worked out once: the set of resource methods is fixed. */
    private static final ConcurrentMap<Method, String> TEMPLATES = new ConcurrentHashMap<>();

    private String endpoint() {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return UNMATCHED;
        }
        Class<?> resourceClass = resource.getResourceClass();
        return TEMPLATES.computeIfAbsent(method,
                m -> template(resourceClass.getAnnotation(Path.class), m.getAnnotation(Path.class)));
    }

    /** {@code /} joined with the class's and the method's {@code @Path}, slashes normalised. */
    static String template(Path onClass, Path onMethod) {
        String joined = "/" + (onClass == null ? "" : onClass.value()) + "/" + (onMethod == null ? "" : onMethod.value());
        String normalised = joined.replaceAll("/+", "/");
        return normalised.length() > 1 && normalised.endsWith("/")
                ? normalised.substring(0, normalised.length() - 1) : normalised;
    }
}
