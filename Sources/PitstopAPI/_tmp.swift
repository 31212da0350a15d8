// PitstopAPI
