package io.ipcobjects.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.properties.HasModifiers;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of core, checked on its compiled classes (tests excluded). The rules, bottom up:
 *
 * <pre>
 *   facade      SharedMemory, Access                         (io.ipcobjects)
 *   session     internal.session: the handle, its poller
 *   inspect     internal.inspect: the read-only inspector behind inspect() and verifyReadOnly()
 *   verify      internal.verify: the whole-region check behind verify()
 *   channels    internal.messages, internal.names
 *   values      internal.containers, internal.structs, internal.tensor
 *   codec       internal.codec: slots, kinds table, blobs, tuples
 *   lock, alloc internal.lock, internal.alloc
 *   memory      internal.memory: the file, header, process table
 *   events      internal.events: log lines and Flight Recorder events
 *   vocabulary  the rest of io.ipcobjects (exceptions, DType, view interfaces, options) and io.ipcobjects.spi
 * </pre>
 *
 * A layer uses only layers below it (and the vocabulary, which uses no internal class); the
 * internal packages have no import cycles; and no public signature of the API names an internal
 * or an Agrona type.
 */
class ArchitectureTest {

    private static final String INTERNAL = "io.ipcobjects.internal..";

    /** The two API classes that sit on top of everything. */
    private static final DescribedPredicate<JavaClass> FACADE = resideInAPackage("io.ipcobjects")
            .and(simpleName("SharedMemory").or(simpleName("Access")));

    /** Everything public users name that is not the facade: it must stand on its own. */
    private static final DescribedPredicate<JavaClass> VOCABULARY = resideInAnyPackage("io.ipcobjects", "io.ipcobjects.spi")
            .and(not(FACADE));

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ipcobjects");
    }

    @Test
    void layersPointOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("facade").definedBy(FACADE)
                .layer("session").definedBy("io.ipcobjects.internal.session..")
                .layer("inspect").definedBy("io.ipcobjects.internal.inspect..")
                .layer("verify").definedBy("io.ipcobjects.internal.verify..")
                .layer("channels").definedBy("io.ipcobjects.internal.messages..", "io.ipcobjects.internal.names..",
                        "io.ipcobjects.internal.channels..")
                .layer("values").definedBy("io.ipcobjects.internal.containers..", "io.ipcobjects.internal.structs..",
                        "io.ipcobjects.internal.tensor..")
                .layer("codec").definedBy("io.ipcobjects.internal.codec..")
                .layer("lock").definedBy("io.ipcobjects.internal.lock..")
                .layer("alloc").definedBy("io.ipcobjects.internal.alloc..")
                .layer("memory").definedBy("io.ipcobjects.internal.memory..")
                .layer("events").definedBy("io.ipcobjects.internal.events..")
                .layer("vocabulary").definedBy(VOCABULARY)
                .whereLayer("facade").mayNotBeAccessedByAnyLayer()
                .whereLayer("session").mayOnlyBeAccessedByLayers("facade")
                .whereLayer("inspect").mayOnlyBeAccessedByLayers("facade")
                .whereLayer("verify").mayOnlyBeAccessedByLayers("session", "inspect", "facade")
                .whereLayer("channels").mayOnlyBeAccessedByLayers("verify", "session", "inspect", "facade")
                .whereLayer("values").mayOnlyBeAccessedByLayers("channels", "verify", "session", "inspect", "facade")
                .whereLayer("codec").mayOnlyBeAccessedByLayers("values", "channels", "verify", "session", "inspect", "facade")
                .whereLayer("lock").mayOnlyBeAccessedByLayers("codec", "values", "channels", "verify", "session", "inspect", "facade")
                .whereLayer("alloc").mayOnlyBeAccessedByLayers("codec", "values", "channels", "verify", "session", "inspect", "facade")
                .whereLayer("memory").mayOnlyBeAccessedByLayers("lock", "alloc", "codec", "values", "channels", "verify",
                        "session", "inspect", "facade")
                .whereLayer("events").mayOnlyBeAccessedByLayers("memory", "lock", "alloc", "codec", "values", "channels",
                        "verify", "session", "inspect", "facade")
                .check(core);
    }

    @Test
    void theVocabularyUsesNoInternalClass() {
        noClasses().that(VOCABULARY).should().dependOnClassesThat().resideInAPackage(INTERNAL)
                .because("exceptions, DType, the view interfaces and the SPI are what internal code is written in; "
                        + "if they used internals, the API package would be two layers at once")
                .check(core);
    }

    @Test
    void internalPackagesHaveNoImportCycles() {
        slices().matching("io.ipcobjects.internal.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void siblingsOfTheValuesLayerDoNotUseEachOther() {
        // Containers, structs and tensors plug into the codec's table; none needs another.
        for (String pkg : List.of("containers", "structs", "tensor")) {
            List<String> others = new ArrayList<>(List.of("containers", "structs", "tensor"));
            others.remove(pkg);
            noClasses().that().resideInAPackage("io.ipcobjects.internal." + pkg + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others.stream()
                            .map(o -> "io.ipcobjects.internal." + o + "..").toArray(String[]::new))
                    .check(core);
        }
    }

    @Test
    void theCodecNamesNoKindFamily() {
        noClasses().that().resideInAPackage("io.ipcobjects.internal.codec..")
                .should().dependOnClassesThat().resideInAnyPackage("io.ipcobjects.internal.containers..",
                        "io.ipcobjects.internal.structs..", "io.ipcobjects.internal.tensor..")
                .because("containers, structs and tensors register their kinds in codec.ValueKinds")
                .check(core);
    }

    @Test
    void publicSignaturesNameNoInternalOrAgronaType() {
        members().that().areDeclaredInClassesThat(resideInAnyPackage("io.ipcobjects", "io.ipcobjects.spi")
                        .and(HasModifiers.Predicates.modifier(JavaModifier.PUBLIC)))
                .and().haveModifier(JavaModifier.PUBLIC)
                .should(nameOnlyApiTypes())
                .check(core);
    }

    @Test
    void internalTypesAreNotPartOfTheApiPackages() {
        classes().that().resideInAnyPackage("io.ipcobjects", "io.ipcobjects.spi").and().haveSimpleNameStartingWith("Heap")
                .and().doNotHaveSimpleName("HeapStats")
                .should().notBePublic()
                .check(core);
    }

    private static ArchCondition<JavaMember> nameOnlyApiTypes() {
        return new ArchCondition<>("name only API and JDK types") {
            @Override
            public void check(JavaMember member, ConditionEvents events) {
                List<JavaClass> named = new ArrayList<>();
                if (member instanceof JavaField field) {
                    named.add(field.getRawType());
                } else if (member instanceof JavaCodeUnit code) {
                    named.add(code.getRawReturnType());
                    named.addAll(code.getRawParameterTypes());
                }
                for (JavaClass type : named) {
                    String name = type.getBaseComponentType().getName();
                    if (name.startsWith("io.ipcobjects.internal.") || name.startsWith("org.agrona.")) {
                        events.add(SimpleConditionEvent.violated(member, member.getFullName() + " names " + name));
                    }
                }
            }
        };
    }
}
