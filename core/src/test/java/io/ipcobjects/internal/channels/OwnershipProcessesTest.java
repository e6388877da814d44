package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Channel;
import io.ipcobjects.DType;
import io.ipcobjects.RegionReport;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One ownership rule: a shared object taken from a channel (or the message queue) belongs to the
 * taker until it destroys it or passes it on, and the region says so, per process, while it
 * lives and after it died.
 */
class OwnershipProcessesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Takes a list and a tensor from the channel and a list from the queue; destroys one; dies holding two. */
    public static final class TakesAndKeeps {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            Channel<Object> ch = shm.channel("c", Object.class);
            Object list = ch.take(TIMEOUT);
            Object tensor = ch.take(TIMEOUT);
            Object queued = shm.takeMessage(TIMEOUT);
            System.out.println("kinds=" + (list instanceof SharedList) + "/" + (tensor instanceof SharedTensor) + "/"
                    + (queued instanceof SharedList));
            System.out.println("held=" + shm.processStats().objectsHeld());
            shm.destroy(queued);
            System.out.println("afterDestroy=" + shm.processStats().objectsHeld());
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    @Test
    void whatATakerHoldsIsCountedUntilItIsDestroyedEvenAfterTheTakerDied() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, 4);
            SharedList<String> list = shm.share(new ArrayList<>(List.of("a")));
            SharedTensor tensor = shm.newTensor(DType.FLOAT32, 1000);
            ch.put(list);
            ch.put(tensor);
            shm.putMessage(shm.share(new ArrayList<>(List.of("q"))));
            assertEquals(0, shm.processStats().objectsHeld(), "the producer passed them on");
            long childPid;
            try (ChildJvm child = ChildJvm.start(TakesAndKeeps.class, name)) {
                ChildJvm.Result r = child.await(TIMEOUT);
                assertEquals("true/true/true", r.value("kinds"), r.describe());
                assertEquals("3", r.value("held"), r.describe());
                assertEquals("2", r.value("afterDestroy"), r.describe());
                childPid = r.pid();
            }
            RegionReport report = SharedMemory.inspect(shm.path());
            RegionReport.ProcessEntry dead = report.processes().stream().filter(p -> p.pid() == childPid).findFirst()
                    .orElseThrow(() -> new AssertionError("no entry for the dead child in " + report.processes()));
            assertEquals(RegionReport.Liveness.DEAD, dead.liveness());
            assertEquals(2, dead.stats().objectsHeld(), "the dead taker still holds a list and a tensor");
            assertTrue(dead.stats().bytesHeld() >= 4000, "the tensor's bytes are counted: " + dead.stats().bytesHeld());
            RegionReport.NamedObject channel = report.names().stream().filter(n -> n.name().equals("c")).findFirst().orElseThrow();
            assertEquals("Channel<Object> 0/4 waiting", channel.kind(), "the inspector shows channels");
            shm.verify();
        }
    }
}
