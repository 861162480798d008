"""The command line and console chat front ends."""
