// PitstopTesting
