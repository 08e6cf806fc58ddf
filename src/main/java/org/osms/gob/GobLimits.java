package org.osms.gob;

/**
 * Bounds on what a decoder accepts from the network. Every element of a slice or map takes at least one byte of the
 * message, so counts are also bounded by the bytes that remain; these limits stop the rest (deep nesting, type
 * floods, huge single messages).
 *
 * @param maxMessageBytes largest message (and largest whole stream)
 * @param maxDepth        deepest nesting of structs, slices and maps in values and type definitions
 * @param maxTypes        type definitions per stream
 * @param maxElements     total slice and map elements per stream
 */
public record GobLimits(int maxMessageBytes, int maxDepth, int maxTypes, int maxElements) {
    public static final GobLimits DEFAULT = new GobLimits(1 << 20, 32, 64, 1 << 20);
}
