package io.ipcobjects.examples.tensors;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.nd4j.SharedNd4j;
import io.ipcobjects.internal.tensor.TensorValues;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The scenario with real processes: A changes a tensor through an ND4J view, B sees it
 * through a core view and a DJL view and changes it in place, A sees B's change. Also: what a
 * binding stored comes back, in another process, as that binding's type.
 */
class TensorBindingsAcrossProcessesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Process B: args = region, tensor block, INDArray-made block. */
    public static final class ProcessB {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30));
                 NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                SharedTensor tensor = shm.tensorAt(Long.parseLong(args[1]));
                double coreSum = 0;
                for (long i = 0; i < tensor.elementCount(); i++) {
                    coreSum += tensor.getFloatAt(i);
                }
                System.out.println("coreSum=" + coreSum);
                NDArray view = SharedDjl.view(tensor, manager);
                System.out.println("djlSum=" + view.sum().getFloat());
                view.muli(2f);
                System.out.println("djlAddress=" + (tensor.address() == tensor.segment().address()));

                Object stored;
                try (io.ipcobjects.Access a = shm.acquire()) { // internal code runs under the lock
                    stored = TensorValues.view(TestAccess.context(shm), Long.parseLong(args[2]));
                }
                System.out.println("storedType=" + (stored instanceof INDArray ? "INDArray" : stored.getClass().getName()));
                System.out.println("storedSum=" + ((INDArray) stored).sumNumber().doubleValue());
            }
        }
    }

    @Test
    void nd4jAddiInOneProcessDjlMuliInAnotherBothSeeTheOther() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 64L << 20)) {
            SharedTensor tensor = shm.newTensor(DType.FLOAT32, 4, 8);
            INDArray a = SharedNd4j.view(tensor);
            a.addi(1.5f);
            SharedTensor stored = shm.copyToTensor(Nd4j.linspace(1, 10, 10).reshape(2, 5)); // one copy, origin: ND4J
            assertEquals(SharedNd4j.BINDING_ID, stored.origin());
            long storedBlock = stored.blockOffset();

            try (ChildJvm b = ChildJvm.start(ProcessB.class, name, Long.toString(tensor.blockOffset()),
                    Long.toString(storedBlock))) {
                ChildJvm.Result r = b.awaitSuccess(Duration.ofSeconds(120));
                assertEquals(48.0, Double.parseDouble(r.value("coreSum")), r.describe());
                assertEquals(48.0, Double.parseDouble(r.value("djlSum")), r.describe());
                assertEquals("INDArray", r.value("storedType"), r.describe());
                assertEquals(55.0, Double.parseDouble(r.value("storedSum")), r.describe());
            }
            for (long i = 0; i < 32; i++) {
                assertEquals(3.0f, a.getFloat(i), "A sees B's muli through its ND4J view");
                assertEquals(3.0f, tensor.getFloatAt(i));
            }
        }
    }
}
