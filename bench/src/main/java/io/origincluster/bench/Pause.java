package io.origincluster.bench;

/** The harness's waits between phases; an interrupt (the watchdog, Ctrl-C) ends the run instead of shortening one. */
final class Pause {
    private Pause() {
    }

    static void millis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
