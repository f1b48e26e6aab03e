package org.sparktrain.driver;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver's package structure, checked on its compiled classes (ArchUnit): no package cycle,
 * executor-side task code and config depend on nothing of the driver's loop, and nothing in the
 * driver reaches into the jobs module.
 */
class ArchitectureTest {
  private static JavaClasses driver;

  @BeforeAll
  static void importClasses() {
    driver = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.sparktrain.driver");
  }

  @Test
  void driverPackagesAreFreeOfCycles() {
    slices().matching("org.sparktrain.driver.(*)..").should().beFreeOfCycles().check(driver);
  }

  @Test
  void executorTaskCodeDependsOnKernelsOnly() {
    noClasses().that().resideInAPackage("org.sparktrain.driver.task..").should().dependOnClassesThat()
        .resideInAnyPackage("org.sparktrain.driver.train..", "org.sparktrain.driver.config..",
            "org.sparktrain.driver.checkpoint..", "org.sparktrain.driver.engine..", "org.sparktrain.driver.output..",
            "org.sparktrain.driver.spark..")
        .check(driver);
  }

  @Test
  void configIsPlainValues() {
    noClasses().that().resideInAPackage("org.sparktrain.driver.config..").should().dependOnClassesThat()
        .resideInAnyPackage("org.sparktrain.driver.train..", "org.sparktrain.driver.checkpoint..",
            "org.sparktrain.driver.engine..", "org.sparktrain.driver.data..", "org.apache.spark..")
        .check(driver);
  }

  @Test
  void onlyTheRootPackageSeesEverything() {
    noClasses().that().resideInAnyPackage("org.sparktrain.driver.(*)..").should().dependOnClassesThat()
        .resideInAnyPackage("org.sparktrain.jobs..").check(driver);
  }
}
