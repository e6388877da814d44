package io.ipcobjects.testing.objects;

/** Types that cannot be live objects, each for one reason. */
public final class BadTypes {
    private BadTypes() {
    }

    public interface NotAnAccessor {
        int years();

        void years(int years);

        int compute(int a, int b);
    }

    public interface SetterTypeDiffers {
        int years();

        void years(long years);
    }

    public interface SetterOnly {
        void years(int years);
    }

    public interface ConcreteArray {
        int[] values();
    }

    public abstract static class NoDefaultConstructor {
        protected NoDefaultConstructor(int x) {
        }

        public abstract int years();
    }

    public abstract static class WithField {
        private int local;

        public abstract int years();
    }

    public static final class Concrete {
        public int years;
    }

    interface NotPublic {
        int years();
    }
}
