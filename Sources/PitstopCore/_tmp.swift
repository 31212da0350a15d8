// PitstopCore
