package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoopbackGuardTest {
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]",
        "0:0:0:0:0:0:0:1"})
    void loopbackAddressesWrittenLiterallyAreAccepted(String host) {
        assertTrue(LoopbackGuard.isLoopback(host));
        assertEquals(Optional.empty(), LoopbackGuard.refusal(host, List.of(host)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0.0.0.0", // every interface
        "*", // Liberty's own word for every interface
        "::", // every IPv6 interface
        "192.0.2.2", // a routable address
        "128.0.0.1", // just outside 127.0.0.0/8
        "${http.host}", // a variable the environment could set
        "osms.example", // a name is never resolved: it could point anywhere
        "localhost.example", // not localhost
        "" // empty
    })
    void everyOtherHostIsRefused(String host) {
        assertFalse(LoopbackGuard.isLoopback(host));
        Optional<String> why = LoopbackGuard.refusal(null, Arrays.asList(null, "127.0.0.1", host));
        assertTrue(why.orElseThrow().contains("host=\"" + host + "\""), why.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "*", "192.0.2.2"})
    void httpHostNamingAnotherAddressIsRefused(String value) {
        Optional<String> why = LoopbackGuard.refusal(value, List.of("127.0.0.1"));
        assertTrue(why.orElseThrow().startsWith("HTTP_HOST is set to '" + value + "'"), why.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "", " "})
    void httpHostOnLoopbackOrEmptyIsHarmless(String value) {
        assertEquals(Optional.empty(), LoopbackGuard.refusal(value, List.of("127.0.0.1")));
    }

    @Test
    void aConfigurationTheGuardCannotReadIsRefused() {
        assertTrue(LoopbackGuard.refusal(null,
                List.of("(server configuration unavailable: javax.management.InstanceNotFoundException)")).isPresent());
    }
}
