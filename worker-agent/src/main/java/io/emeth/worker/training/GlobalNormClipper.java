package io.emeth.worker.training;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Clips gradients by their global L2 norm, as GPT training does ({@code
 * torch.nn.utils.clip_grad_norm_}).
 *
 * <p>Implemented here because DJL's {@code Optimizer.Builder.optClipGrad} clips each gradient value
 * to {@code [-c, c]} separately, which changes the gradient's direction; scaling all gradients by
 * one factor keeps it.
 */
final class GlobalNormClipper {

    private GlobalNormClipper() {}

    /**
     * Scales every gradient in place by {@code maxNorm / norm} when the global norm exceeds {@code
     * maxNorm}; {@code maxNorm <= 0} only measures.
     *
     * @return the global norm before clipping
     */
    static double clip(List<NDArray> parameters, double maxNorm) {
        List<NDArray> gradients = new ArrayList<>(parameters.size());
        try {
            double sumOfSquares = 0;
            for (NDArray parameter : parameters) {
                NDArray gradient = parameter.getGradient();
                gradients.add(gradient);
                try (NDArray squares = gradient.square();
                        NDArray sum = squares.sum()) {
                    sumOfSquares += sum.getFloat();
                }
            }
            double norm = Math.sqrt(sumOfSquares);
            if (maxNorm > 0 && norm > maxNorm) {
                float scale = (float) (maxNorm / (norm + 1e-6));
                for (NDArray gradient : gradients) {
                    gradient.muli(scale);
                }
            }
            return norm;
        } finally {
            // getGradient() hands out a new handle on the same storage each time: free the handles
            gradients.forEach(NDArray::close);
        }
    }
}
