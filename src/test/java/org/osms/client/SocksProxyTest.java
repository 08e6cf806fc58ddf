package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SocksProxyTest {
    @Test
    void torsAndTheTorBrowsersPortsAndAnIpv6LoopbackParse() {
        assertEquals(new SocksProxy("127.0.0.1", 9050), SocksProxy.parse("socks5h://127.0.0.1:9050"));
        assertEquals(new SocksProxy("localhost", 9150), SocksProxy.parse("SOCKS5H://localhost:9150/"));
        SocksProxy v6 = SocksProxy.parse("socks5h://[::1]:9050");
        assertEquals(new SocksProxy("::1", 9050), v6);
        assertEquals("socks5h://[::1]:9050", v6.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "socks5://127.0.0.1:9050", // names resolved locally: refused with its own message
        "socks://127.0.0.1:9050",
        "http://127.0.0.1:9050", // not SOCKS
        "socks5h://127.0.0.1", // no port
        "socks5h://127.0.0.1:0",
        "socks5h://127.0.0.1:65536",
        "socks5h://u:p@127.0.0.1:9050", // credentials this client does not send
        "socks5h://127.0.0.1:9050/path",
        "socks5h://127.0.0.1:9050?x=1",
        "127.0.0.1:9050", // no scheme
        "socks5h://bad host:9050", // not a URI
    })
    void anythingElseIsRefusedWithACode(String proxy) {
        assertEquals("bad_proxy", assertThrows(OsmsException.class, () -> SocksProxy.parse(proxy)).code());
    }
}
