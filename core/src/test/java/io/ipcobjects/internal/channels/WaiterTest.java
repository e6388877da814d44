package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WaiterTest {

    @Test
    void aWaitSpinsFirstAndStopsSpinningOnceItsFirstPhaseHasPassed() throws InterruptedException {
        Waiter waiter = new Waiter(Long.MAX_VALUE);
        assertTrue(waiter.spinning(), "a wait just begun");
        assertTrue(waiter.idle());
        assertTrue(waiter.spinning(), "one round in");
        Thread.sleep(2);
        // idle reads the clock once every 64 rounds, the first of them included
        for (int round = 1; round <= 64; round++) {
            assertTrue(waiter.idle());
        }
        assertFalse(waiter.spinning(), "2 ms in, past the spinning phase");
    }

    @Test
    void aWaitEndsAtItsDeadline() throws InterruptedException {
        Waiter waiter = new Waiter(Waiter.deadline(Duration.ofMillis(1)));
        assertTrue(waiter.idle(), "before the deadline");
        Thread.sleep(2);
        boolean ended = false;
        for (int round = 0; round < 64 && !ended; round++) {
            ended = !waiter.idle();
        }
        assertTrue(ended, "the clock is read within 64 rounds, past the deadline");
        assertThrows(IllegalArgumentException.class, () -> Waiter.deadline(Duration.ofMillis(-1)));
    }
}
