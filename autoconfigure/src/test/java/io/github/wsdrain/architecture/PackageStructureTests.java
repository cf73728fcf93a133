package io.github.wsdrain.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package graph of the library points one way: {@code protocol} at the bottom, each side
 * ({@code session} → {@code server.resume} → {@code server} → {@code shutdown}, and {@code client})
 * above it, the Spring wiring ({@code metrics}, {@code actuate}, {@code autoconfigure}) on top.
 */
class PackageStructureTests {

	private static final JavaClasses LIBRARY = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.github.wsdrain");

	@Test
	void packagesAreFreeOfCycles() {
		slices().matching("io.github.wsdrain.(**)").should().beFreeOfCycles().check(LIBRARY);
	}

	@Test
	void protocolKnowsNeitherSide() {
		noClasses().that()
			.resideInAPackage("io.github.wsdrain.protocol..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.github.wsdrain.server..", "io.github.wsdrain.session..",
					"io.github.wsdrain.client..", "io.github.wsdrain.shutdown..")
			.check(LIBRARY);
	}

	@Test
	void clientAndServerSidesAreIndependent() {
		noClasses().that()
			.resideInAPackage("io.github.wsdrain.client..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.github.wsdrain.server..", "io.github.wsdrain.session..",
					"io.github.wsdrain.shutdown..")
			.check(LIBRARY);
		noClasses().that()
			.resideInAnyPackage("io.github.wsdrain.server..", "io.github.wsdrain.session..",
					"io.github.wsdrain.shutdown..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.github.wsdrain.client..")
			.check(LIBRARY);
	}

	@Test
	void onlyTheWiringKnowsSpringBoot() {
		noClasses().that()
			.resideInAnyPackage("io.github.wsdrain.protocol..", "io.github.wsdrain.session..",
					"io.github.wsdrain.server..", "io.github.wsdrain.client..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.github.wsdrain.autoconfigure..")
			.check(LIBRARY);
	}

}
