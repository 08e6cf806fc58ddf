package org.osms.gob;

/** The fixed part of the gob format: predefined type ids (encoding/gob, type.go) and the wireType field numbers. */
final class GobWire {
    static final int BOOL = 1;
    static final int INT = 2;
    static final int UINT = 3;
    static final int FLOAT = 4;
    static final int BYTES = 5;
    static final int STRING = 6;
    // 7 (complex) and 8 (interface) exist in gob; OSMS supports neither. 16 to 23 are the wireType's own types,
    // which a stream never uses for values.
    /** Go numbers user types from 65 in a fresh process (firstUserId is 64). */
    static final int FIRST_USER_ID = 65;

    // wireType's fields, in order: ArrayT, SliceT, StructT, MapT, GobEncoderT, BinaryMarshalerT, TextMarshalerT
    static final int WIRE_ARRAY = 0;
    static final int WIRE_SLICE = 1;
    static final int WIRE_STRUCT = 2;
    static final int WIRE_MAP = 3;

    /** The package the Go names of slice and map types are qualified with, as Go's String() writes them. */
    static final String GO_PACKAGE = "main";

    private GobWire() {
    }

    static boolean isBuiltin(int id) {
        return id >= BOOL && id <= STRING;
    }
}
