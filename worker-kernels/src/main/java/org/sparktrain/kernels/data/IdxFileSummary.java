package org.sparktrain.kernels.data;

import java.io.Serializable;

/**
 * What a full validating pass over one IDX file found: its header, size and content hash.
 *
 * @param path the file as given
 * @param header parsed header
 * @param storedBytes size of the file as stored (compressed if gzipped)
 * @param sha256 hex SHA-256 of the stored bytes
 * @param maxLabel largest value found in a 1-dimensional (label) file, -1 otherwise
 */
public record IdxFileSummary(String path, IdxHeader header, long storedBytes, String sha256, int maxLabel)
    implements Serializable {}
