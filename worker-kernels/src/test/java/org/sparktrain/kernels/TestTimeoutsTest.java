package org.sparktrain.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The build gives every test a default timeout (parent pom, surefire and failsafe
 * {@code configurationParameters}), so a hung Spark job or stream fails its test instead of hanging CI. This test
 * reads the parameters JUnit actually received; it fails if the pom stops passing them.
 */
class TestTimeoutsTest {
  static final class Parameters implements BeforeEachCallback {
    Optional<String> method = Optional.empty();
    Optional<String> lifecycle = Optional.empty();

    @Override
    public void beforeEach(ExtensionContext context) {
      method = context.getConfigurationParameter("junit.jupiter.execution.timeout.default");
      lifecycle = context.getConfigurationParameter("junit.jupiter.execution.timeout.lifecycle.method.default");
    }
  }

  @RegisterExtension final Parameters parameters = new Parameters();

  @Test
  void everyTestAndLifecycleMethodHasADefaultTimeout() {
    assertEquals(Optional.of("10 m"), parameters.method);
    assertEquals(Optional.of("5 m"), parameters.lifecycle);
  }
}
