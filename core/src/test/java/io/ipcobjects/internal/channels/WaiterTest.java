package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WaiterTest {

    @Test
    void aWaitSpinsFirstAndStopsSpinningOnceItsFirstPhaseHasPassed() throws InterruptedException {
        Waiter waiter = new Waiter(Long.MAX_VALUE, io.ipcobjects.WaitStrategy.BACKOFF);
        assertTrue(waiter.spinning(), "a wait just begun");
        Thread.sleep(2);
        // idle reads the clock once every 64 rounds, the first of them included
        for (int round = 0; round < 64; round++) {
            assertTrue(waiter.idle(), "a wait with no deadline");
        }
        assertFalse(waiter.spinning(), "2 ms in, past the spinning phase");
    }

    @Test
    void aWaitEndsAtItsDeadlineAndNotBefore() throws InterruptedException {
        Waiter far = new Waiter(Waiter.deadline(Duration.ofMinutes(1)), io.ipcobjects.WaitStrategy.BACKOFF);
        for (int round = 0; round < 128; round++) {
            assertTrue(far.idle(), "a minute before the deadline");
        }
        Waiter near = new Waiter(Waiter.deadline(Duration.ofMillis(1)), io.ipcobjects.WaitStrategy.BACKOFF);
        Thread.sleep(5);
        boolean ended = false;
        for (int round = 0; round < 64 && !ended; round++) {
            ended = !near.idle();
        }
        assertTrue(ended, "the clock is read within 64 rounds, past the deadline");
        assertThrows(IllegalArgumentException.class, () -> Waiter.deadline(Duration.ofMillis(-1)));
    }
}
