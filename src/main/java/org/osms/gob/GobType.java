package org.osms.gob;

import java.util.List;

/** A user type as gob's wireType describes it: a struct, a slice, an array or a map of other type ids. */
sealed interface GobType permits GobType.Struct, GobType.Slice, GobType.Array, GobType.Map {
    String name();

    record Field(String name, int id) {
    }

    record Struct(String name, List<Field> fields) implements GobType {
    }

    record Slice(String name, int elem) implements GobType {
    }

    record Array(String name, int elem, int length) implements GobType {
    }

    record Map(String name, int key, int elem) implements GobType {
    }
}
