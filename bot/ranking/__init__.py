"""The learned stage of answering: named features of candidate windows, and the fitted model
that ranks them and decides whether the best one answers at all."""
