package io.ipcobjects.testing.objects;

/** An abstract class over shared state: abstract accessors, concrete methods that use them. */
public abstract class Counter {
    /** What the last constructor run in this process read from the shared state. */
    public static volatile long countSeenByConstructor = -1;

    /** Made for every view, in every process: the accessors already work here. */
    protected Counter() {
        countSeenByConstructor = getCount();
    }

    public abstract long getCount();

    public abstract void setCount(long count);

    public abstract short getStep();

    public abstract void setStep(short step);

    public abstract byte getLevel();

    public abstract void setLevel(byte level);

    public abstract char getMark();

    public abstract void setMark(char mark);

    public abstract float getRatio();

    public abstract void setRatio(float ratio);

    public abstract Integer getBoxed();

    public abstract void setBoxed(Integer boxed);

    public long increment() {
        setCount(getCount() + Math.max(1, getStep()));
        return getCount();
    }

    protected void reset() {
        setCount(0);
    }

    public void resetFromOutside() {
        reset();
    }

    @Override
    public String toString() {
        return "Counter at " + getCount();
    }
}
