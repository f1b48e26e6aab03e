package org.sparktrain.kernels.data;

/** What an example's label is. */
public enum LabelKind {
  /** One class index per example (one-hot in a minibatch). */
  CLASS,
  /** A 0/1 vector per example: several classes may be present at once. */
  MULTI_LABEL,
  /** A real-valued target vector per example. */
  REGRESSION,
  /** One class index per time step of a sequence example. */
  SEQUENCE_CLASS;

  /** Whether labels are class indices (stored as bytes) rather than float vectors. */
  public boolean indexed() {
    return this == CLASS || this == SEQUENCE_CLASS;
  }
}
