package io.emeth.worker.training;

import ai.djl.Device;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the {@code device} value of the original config ({@code cpu}, {@code cuda}, {@code cuda:N})
 * into a DJL {@link Device}.
 *
 * <p>It exists so that a worker that asks for a GPU it does not have fails at start with the key
 * named, instead of silently training on the CPU at a fraction of the power capacity it advertised.
 */
public final class DeviceSelection {

    /** The config key this value comes from, in {@code config/worker.json}. */
    public static final String KEY = "device";

    private static final Pattern CUDA_INDEX = Pattern.compile("cuda:([0-9]{1,4})");
    private static final int MAX_SHOWN = 40;

    private DeviceSelection() {}

    /** Parses {@code value} against the GPUs the PyTorch engine sees. */
    public static Device parse(String value) {
        return parse(value, TorchEngine.get().getGpuCount());
    }

    /**
     * Parses {@code value} given the number of visible CUDA GPUs.
     *
     * @throws IllegalArgumentException naming the key when the value is unknown or asks for a GPU
     *     that is not there
     */
    public static Device parse(String value, int gpuCount) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    KEY + " is empty; accepted values: cpu, cuda, cuda:N (N = GPU index)");
        }
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        if (normalized.equals("cpu")) {
            return Device.cpu();
        }
        if (normalized.equals("cuda")) {
            return gpu(value, 0, gpuCount);
        }
        Matcher matcher = CUDA_INDEX.matcher(normalized);
        if (matcher.matches()) {
            return gpu(value, Integer.parseInt(matcher.group(1)), gpuCount);
        }
        throw new IllegalArgumentException(
                KEY
                        + " '"
                        + shown(value)
                        + "' is not a device; accepted values: cpu, cuda, cuda:N (N = GPU index)");
    }

    private static Device gpu(String value, int index, int gpuCount) {
        if (gpuCount <= 0) {
            throw new IllegalArgumentException(
                    KEY
                            + " '"
                            + shown(value)
                            + "' asks for a CUDA GPU but PyTorch sees none; set \""
                            + KEY
                            + "\": \"cpu\" or install the CUDA build (Maven profile gpu)");
        }
        if (index >= gpuCount) {
            throw new IllegalArgumentException(
                    KEY
                            + " '"
                            + shown(value)
                            + "' asks for GPU "
                            + index
                            + " but PyTorch sees "
                            + gpuCount
                            + " (cuda:0..cuda:"
                            + (gpuCount - 1)
                            + ")");
        }
        return Device.gpu(index);
    }

    private static String shown(String value) {
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= MAX_SHOWN
                ? printable
                : printable.substring(0, MAX_SHOWN) + "…(" + value.length() + " chars)";
    }
}
