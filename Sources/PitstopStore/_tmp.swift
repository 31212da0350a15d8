// PitstopStore
