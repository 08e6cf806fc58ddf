package org.osms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

/** The endpoint tag is the resource's path template, never a part of the request. */
class RequestTimingTest {
    @Path("user")
    static class Users {
        @Path("{username}/history")
        public void history() {
        }
    }

    @Path("")
    static class Root {
        @Path("create_session")
        public void create() {
        }
    }

    @Test
    void templatesJoinTheClassAndMethodPaths() throws Exception {
        assertEquals("/user/{username}/history", RequestTiming.template(Users.class.getAnnotation(Path.class),
                Users.class.getMethod("history").getAnnotation(Path.class)));
        assertEquals("/create_session", RequestTiming.template(Root.class.getAnnotation(Path.class),
                Root.class.getMethod("create").getAnnotation(Path.class)));
        assertEquals("/user", RequestTiming.template(Users.class.getAnnotation(Path.class), null));
        assertEquals("/", RequestTiming.template(null, null));
    }
}
