package org.osms.session;

import java.util.Locale;
import java.util.regex.Pattern;
import org.osms.web.ApiException;

/**
 * The Tor circuit a request arrived on, the unit of admission's fair shares (docs/protocol.md, "Admission"). Every
 * Tor client reaches OSMS from 127.0.0.1; only tor knows circuits. With {@code HiddenServiceExportCircuitID haproxy}
 * tor opens each stream with a PROXY protocol header whose source address encodes the circuit's global id
 * ({@code fc00:dead:beef:4dad::HIGH:LOW}); the front (liberty/front/haproxy.cfg.template) reads it and sets
 * {@value #HEADER} to that address, replacing whatever the client sent. OSMS treats the value as an opaque key.
 *
 * <p>A request without the header did not come through the front: it came from a process on this machine, straight
 * to the loopback port. All of those share one circuit, {@link #LOCAL}. Such a process could as well write any
 * circuit it likes into the header, so the header is trusted exactly as far as the loopback port is: only processes
 * of this machine reach it (the server refuses to listen anywhere else).
 */
public record Circuit(String id) {
    public static final String HEADER = "OSMS-Circuit";
    /** Every request that did not come through the front. */
    public static final Circuit LOCAL = new Circuit("local");

    /** What haproxy writes for {@code %[src]}: an IPv6 or IPv4 address in its textual form. */
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-f.:]{2,45}");

    /** The circuit a request names: {@link #LOCAL} without the header; 400 {@code bad_circuit} when malformed. */
    public static Circuit of(String header) {
        if (header == null) {
            return LOCAL;
        }
        String value = header.strip().toLowerCase(Locale.ROOT);
        if (!ADDRESS.matcher(value).matches() || (value.indexOf(':') < 0 && value.indexOf('.') < 0)) {
            throw new ApiException(400, "bad_circuit",
                    "The OSMS-Circuit header is set by the onion service's front and must be an address.");
        }
        return new Circuit(value);
    }

    /** Whether this is the one circuit of requests that did not come through the front. */
    public boolean local() {
        return this.equals(LOCAL);
    }

    @Override
    public String toString() {
        return "Circuit[" + id + "]";
    }
}
